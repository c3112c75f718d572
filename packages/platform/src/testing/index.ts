export * from '../infrastructure';
export * from './isolation';
export * from './otlp-receiver';
export * from './private-kafka';
export * from './private-prometheus';
export * from './ports';
export * from './tcp-proxy';
