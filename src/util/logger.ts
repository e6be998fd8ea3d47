/** Where the engine says what it is doing; the action backs it with @actions/core, the CLI with stderr. */
export interface Logger {
  debug(message: string): void
  info(message: string): void
  warning(message: string): void
}

/** Says nothing: the default for tests and library use. */
export const silentLogger: Logger = { debug() {}, info() {}, warning() {} }
