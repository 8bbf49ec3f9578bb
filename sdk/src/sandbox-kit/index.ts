export type { SandboxOptions, RunningSandbox, StartSandbox } from "./types.ts";
