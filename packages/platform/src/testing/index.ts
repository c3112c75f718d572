export * from './isolation';
export * from './otlp-receiver';
