/** The workflows the llm-worker registers (its workflowsPath points here). */
export { chatTurn } from './chat-turn';
export { endSession } from './end-session';
export { labTurn } from './lab-turn';
export { archiveSessionTranscript } from './archive-session';
export { archiveIdleSessions } from './archive-idle-sessions';
