import { PageTitle } from '../../app/Layout';

export default function FaqPage() {
  return (
    <article className="prose">
      <PageTitle>Frequently asked questions</PageTitle>
      <h2>What is GPT Lab?</h2>
      <p>
        A place to chat with AI assistants built from a prompt, and to build your own. Each
        assistant is a prompt and a model configuration; its creator can version both.
      </p>
      <h2>Which key do I need?</h2>
      <p>
        Either your own OpenAI API key, or your organisation&apos;s sign-in if it is set up. With
        your own key, your chats are billed to it.
      </p>
      <h2>Is my key stored?</h2>
      <p>
        No. The portal keeps it in this tab&apos;s memory only; the platform recognises you by a
        one-way hash of it and uses the key only for your requests.
      </p>
      <h2>Can others read my assistant&apos;s prompt?</h2>
      <p>
        No. People can chat with an assistant you share, but only you can read its prompts. If a
        reply would repeat the prompt, the platform replaces it (a &ldquo;guarded reply&rdquo;).
      </p>
      <h2>What happens when I end a session?</h2>
      <p>
        The assistant writes a recap with its summary prompt. You can come back to any past session
        and read it; active sessions can be continued where you left them.
      </p>
      <h2>Is the lab&apos;s test chat stored?</h2>
      <p>No. Test chats in the lab are never stored; only their usage is counted.</p>
      <h2>Why was I stopped with &ldquo;spend cap reached&rdquo;?</h2>
      <p>
        Your organisation may cap spend per day, week or month. The message says which cap and when
        it resets; your usage page shows what remains.
      </p>
    </article>
  );
}
