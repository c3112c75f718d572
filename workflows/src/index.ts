/** The workflows the llm-worker registers (its workflowsPath points here). */
export { chatTurn } from './chat-turn';
export { endSession } from './end-session';
export { labTurn } from './lab-turn';
