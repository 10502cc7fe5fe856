// The chat fine-tuning example as Azure AI Foundry / OpenAI accept it.

export type Role = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: Role;
  content: string;
  /** Optional speaker name (OpenAI format). */
  name?: string;
  /** Only on assistant messages: 0 excludes the turn from the loss. */
  weight?: 0 | 1;
}

export interface ChatExample {
  messages: ChatMessage[];
}
