/** The workflows the sessions service's worker registers (its bundle starts here). */
export { sessionWorkflow } from './session';
export { exchangeWorkflow } from './exchange';
export { archiveSessionTranscript } from './archive-session';
export { archiveIdleSessions } from './archive-idle-sessions';
export { rotateDataKey } from './rotate-data-key';
