/** Pure conversation logic: no I/O. Guard, condense and prompt formats join the registry and token counting here. */
export * from './models';
export * from './tokens';
export * from './guard';
export * from './stop-words';
export * from './prompt-format';
export * from './condense';
export * from './returned-files';
