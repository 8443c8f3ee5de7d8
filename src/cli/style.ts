/**
 * Colours for the command line, only where a person reads them: on a TTY, never with
 * NO_COLOR set (https://no-color.org). FORCE_COLOR turns them on for a pipe.
 */
export interface Style {
  readonly enabled: boolean;
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  cyan(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

export function colourEnabled(
  stream: { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false')
    return true;
  return stream.isTTY === true;
}

export function createStyle(enabled: boolean): Style {
  const code = (open: number, close: number) => (text: string) =>
    enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    enabled,
    green: code(32, 39),
    yellow: code(33, 39),
    red: code(31, 39),
    cyan: code(36, 39),
    dim: code(2, 22),
    bold: code(1, 22),
  };
}

/** The style for standard output (`stderr()` for standard error). */
export function stdoutStyle(): Style {
  return createStyle(colourEnabled(process.stdout));
}

export function stderrStyle(): Style {
  return createStyle(colourEnabled(process.stderr));
}
