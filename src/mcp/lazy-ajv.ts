import { createRequire } from 'node:module';
import type * as AjvProvider from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaType, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';

/**
 * The SDK's own JSON Schema validator (Ajv), loaded and built on first use instead of when the server
 * is: the server needs it only to check an answer to an elicitation, and loading Ajv with its formats
 * was a noticeable part of `cc2cc serve`'s start-up (docs/performance.md). Required (the SDK's CommonJS
 * build) rather than imported, so the bundle does not carry it either (rolldown.config.mjs).
 */
export function lazyAjvValidator(): jsonSchemaValidator {
  let ajv: AjvProvider.AjvJsonSchemaValidator | undefined;
  return {
    getValidator<T>(schema: JsonSchemaType) {
      ajv ??= new (loadProvider().AjvJsonSchemaValidator)();
      return ajv.getValidator<T>(schema);
    },
  };
}

function loadProvider(): typeof AjvProvider {
  return createRequire(import.meta.url)('@modelcontextprotocol/sdk/validation/ajv') as typeof AjvProvider;
}
