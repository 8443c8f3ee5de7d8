/**
 * The addresses an agent can send to, in one phrase for the send tool and the instructions:
 * an agent by name, everyone, and the groups of the enabled plugins' schemes only (`a room
 * (room:NAME)`), so a project without the rooms plugin never tells its agents about rooms.
 */
export function addressPhrase(schemeForms: readonly string[]): string {
  return ['an agent (by name)', ...schemeForms, 'everyone (*)'].join(', ').replace(/, ([^,]*)$/, ' or $1');
}

/** The `to` argument's description: examples of each form. */
export function addressExamples(schemeForms: readonly string[]): string {
  const examples = schemeForms.map((form) => `"${/\(([^)]+)\)/.exec(form)?.[1] ?? form}"`);
  return `${['agent name such as "calm-owl"', ...examples].join(', ')} or "*"`;
}
