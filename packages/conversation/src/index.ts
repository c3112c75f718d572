/** Pure conversation logic: no I/O. Guard, condense and prompt formats join token counting here. */
export * from './tokens';
