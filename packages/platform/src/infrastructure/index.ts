export * from './containers';
export * from './local';
export * from './resolve';
export * from './variables';
