/** OpenAI-compatible mock LLM server: start it in-process, script replies and faults. */
export { DEFAULT_MODELS, startMockLlm } from './server';
export { EMBEDDING_MODELS, embed } from './embeddings';
export { optionsFromEnv, type MockLlmEnvConfig } from './config';
export { MOCK_FAULTS } from './types';
export type {
  MockBehaviour,
  MockFault,
  MockLlm,
  MockLlmOptions,
  MockScript,
  RecordedRequest,
  RegisteredScript,
  RequestFilter,
  Sighting,
} from './types';
