/**
 * What a plugin that guards file edits provides under `EDIT_GUARD` (the claims plugin):
 * `cc2cc hook pre-tool` asks it before a client edits a file, and `cc2cc claims check`
 * before a commit. Paths are relative to the project folder, `/`-separated.
 */
export interface EditGuard {
  /**
   * Why `agent` (undefined: nobody known, so every holder is another) must not edit these
   * paths, naming who holds them and why; undefined when the edit may go ahead. May record
   * the edit (e.g. claim the paths for the agent) when it allows it.
   */
  checkEdit(paths: readonly string[], agent: string | undefined): Promise<string | undefined>;
}
