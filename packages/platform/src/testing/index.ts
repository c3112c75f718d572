export * from '../infrastructure';
export * from './isolation';
export * from './otlp-receiver';
export * from './private-kafka';
export * from './ports';
export * from './tcp-proxy';
