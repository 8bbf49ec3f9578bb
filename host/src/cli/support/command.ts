/** What every `cli/commands/*.command.ts` exports as `command`. */
export interface CliCommand {
  name: string;
  summary: string;
  /** Resolves with the process exit code. */
  run(args: string[]): Promise<number>;
}
