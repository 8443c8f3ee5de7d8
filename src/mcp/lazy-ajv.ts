import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaType, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';

/**
 * The SDK's own JSON Schema validator (Ajv), built on first use instead of when the server
 * is: the server needs it only to check an answer to an elicitation, and building Ajv with
 * its formats was a noticeable part of `cc2cc serve`'s start-up (docs/performance.md).
 */
export function lazyAjvValidator(): jsonSchemaValidator {
  let ajv: AjvJsonSchemaValidator | undefined;
  return {
    getValidator<T>(schema: JsonSchemaType) {
      ajv ??= new AjvJsonSchemaValidator();
      return ajv.getValidator<T>(schema);
    },
  };
}
