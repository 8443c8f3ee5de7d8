import { describe, expect, it } from 'vitest';
import { lazyAjvValidator } from '../../src/mcp/lazy-ajv.js';

describe('lazyAjvValidator', () => {
  it('checks input against a JSON Schema as the SDK validator does, formats included', () => {
    const validate = lazyAjvValidator().getValidator<{ email: string }>({
      type: 'object',
      properties: { email: { type: 'string', format: 'email' } },
      required: ['email'],
    });
    expect(validate({ email: 'bob@example.com' })).toMatchObject({ valid: true, data: { email: 'bob@example.com' } });
    const refused = validate({ email: 'not an address' });
    expect(refused.valid).toBe(false);
    expect(refused.errorMessage).toMatch(/email/);
    expect(validate({}).valid).toBe(false);
  });
});
