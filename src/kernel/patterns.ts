import { Cc2ccError } from './errors.js';

/** Topics are dotted lowercase segments: `ci.build.linux`. */
const SEGMENT = /^[a-z0-9_-]+$/;
const MAX_TOPIC_LENGTH = 128;

export const TOPIC_RULE = 'a topic is dot-separated segments of [a-z0-9_-], such as "ci.build", at most 128 characters';
export const PATTERN_RULE = `${TOPIC_RULE}; in a pattern, "*" matches one segment and a final ">" matches one or more`;

export function assertTopic(value: unknown): string {
  if (
    typeof value === 'string' &&
    value.length <= MAX_TOPIC_LENGTH &&
    value.split('.').every((segment) => SEGMENT.test(segment))
  )
    return value;
  throw new Cc2ccError('INVALID_ADDRESS', `invalid topic ${JSON.stringify(value)}: ${TOPIC_RULE}`);
}

export function assertTopicPattern(value: unknown): string {
  if (typeof value === 'string' && value.length <= MAX_TOPIC_LENGTH) {
    const segments = value.split('.');
    const valid = segments.every(
      (segment, index) =>
        SEGMENT.test(segment) || segment === '*' || (segment === '>' && index === segments.length - 1),
    );
    if (valid) return value;
  }
  throw new Cc2ccError('INVALID_ADDRESS', `invalid topic pattern ${JSON.stringify(value)}: ${PATTERN_RULE}`);
}

/** NATS-style matching: `ci.*` matches `ci.build`; `ci.>` matches `ci.build` and `ci.build.linux`. */
export function topicMatches(pattern: string, topic: string): boolean {
  const wanted = pattern.split('.');
  const actual = topic.split('.');
  for (let index = 0; index < wanted.length; index++) {
    const segment = wanted[index]!;
    if (segment === '>') return actual.length > index;
    if (index >= actual.length) return false;
    if (segment !== '*' && segment !== actual[index]) return false;
  }
  return wanted.length === actual.length;
}

/**
 * The kernel's rule for an address pattern's target, for schemes whose plugin gives no
 * `matches` (and for the UI's filter): `*` or `>` alone matches any target; otherwise the
 * topic rule above, segment by segment.
 */
export function targetMatches(pattern: string, target: string): boolean {
  return pattern === target || pattern === '*' || pattern === '>' || topicMatches(pattern, target);
}
