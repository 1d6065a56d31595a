/**
 * The command program as `main.ts` runs it. From the sources (under tsx) it is a plain import; the
 * package's build puts `load-program-compiled.ts` in this module's place, which runs the compiled program
 * through V8's code cache.
 */
export interface LoadedProgram {
  main(argv: string[], version: string): Promise<number>;
  /** Keeps what this run compiled for the next one, where there is such a cache. */
  saveCompiledCode(): void;
}

/** `command`: the command the run will be (the compiled program keeps what it compiles per command). */
export async function loadProgram(_command: string): Promise<LoadedProgram> {
  const { main } = await import('./program.ts');
  return { main, saveCompiledCode() {} };
}
