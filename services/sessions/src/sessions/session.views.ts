import type { Thread } from '@lab/contracts';
import type { SessionEntity } from './entities/session.entity';

export interface SessionView {
  id: string;
  assistantId: string;
  promptVersionId: string;
  modelConfigVersionId: string;
  status: 'active' | 'ended';
  messageCount: number;
  turnCount: number;
  usage: { promptTokens: number; completionTokens: number };
  guardHits: number;
  createdAt: string;
  modifiedAt: string;
  endedAt: string | null;
}

export interface MessageView {
  position: number;
  role: 'user' | 'assistant';
  content: string;
  createdAt: string;
}

/** A past session, ready to resume: its messages and the last payload sent to the model. */
export interface ResumedSession {
  session: SessionView;
  messages: MessageView[];
  payload: Thread;
  recap: string | null;
}

export function sessionView(session: SessionEntity): SessionView {
  return {
    id: session.id,
    assistantId: session.assistantId,
    promptVersionId: session.promptVersionId,
    modelConfigVersionId: session.modelConfigVersionId,
    status: session.status,
    messageCount: session.messageCount,
    turnCount: session.turnCount,
    usage: {
      promptTokens: Number(session.promptTokens),
      completionTokens: Number(session.completionTokens),
    },
    guardHits: session.guardHits,
    createdAt: session.createdAt.toISOString(),
    modifiedAt: session.modifiedAt.toISOString(),
    endedAt: session.endedAt ? session.endedAt.toISOString() : null,
  };
}
