import { definePlugin, pass, type Envelope, type HookResult } from 'cc2cc/plugin';

export interface SecretRedactorOptions {
  /** More patterns, by name; each must have the `g` flag. They run after the built-in ones. */
  patterns?: Record<string, RegExp>;
  /** Also clean messages that arrive, from agents that do not run this plugin (default true). */
  inbound?: boolean;
}

/** Secrets that have a recognisable shape. Order matters: the more specific first. */
export const BUILTIN_PATTERNS: Readonly<Record<string, RegExp>> = {
  'private-key': /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  'anthropic-key': /\bsk-ant-[A-Za-z0-9_-]{20,}/g,
  'openai-key': /\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}/g,
  'github-token': /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/g,
  'aws-access-key': /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  'slack-token': /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
};

/**
 * Replaces secrets in a message's text and data with `[redacted:<kind>]` before it leaves
 * this agent (and, by default, when one arrives), and notes what it did in `meta.redacted`
 * (`github-token:1`). It runs in the normal tier: after `filters` ('pre'), before a signing
 * plugin signs the final envelope ('post').
 */
export const secretRedactor = definePlugin((options: SecretRedactorOptions = {}) => {
  const patterns = Object.entries({ ...BUILTIN_PATTERNS, ...options.patterns });
  for (const [name, pattern] of patterns) {
    if (!pattern.global) throw new Error(`secret-redactor: pattern "${name}" needs the g flag, e.g. /.../g`);
  }

  const redact = (envelope: Envelope): HookResult => {
    const found = new Map<string, number>();
    const clean = (text: string) =>
      patterns.reduce(
        (current, [name, pattern]) =>
          current.replace(pattern, () => {
            found.set(name, (found.get(name) ?? 0) + 1);
            return `[redacted:${name}]`;
          }),
        text,
      );
    const text = clean(envelope.text);
    const data = envelope.data === undefined ? undefined : cleanJson(envelope.data, clean);
    if (found.size === 0) return pass();
    const redacted = [...found].map(([name, count]) => `${name}:${count}`).join(',');
    return pass({ ...envelope, text, ...(data !== undefined && { data }), meta: { ...envelope.meta, redacted } });
  };

  return {
    name: 'secret-redactor',
    setup(ctx) {
      ctx.onSend(redact);
      if (options.inbound ?? true) ctx.onReceive(redact);
    },
  };
});

/** Every string in a JSON value, cleaned; the shape stays. */
function cleanJson<T>(value: T, clean: (text: string) => string): T {
  if (typeof value === 'string') return clean(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => cleanJson(item, clean)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cleanJson(item, clean)])) as T;
  }
  return value;
}

export default secretRedactor;
