import { PageTitle } from '../../app/Layout';

export default function TermsPage() {
  return (
    <article className="prose">
      <PageTitle>Terms of use</PageTitle>
      <p>
        GPT Lab is an internal tool of your organisation. By using it you agree to these short
        terms.
      </p>
      <ul>
        <li>Use it for your work and within your organisation&apos;s policies.</li>
        <li>
          Replies are written by an AI model: they can be wrong. Check anything that matters before
          you rely on it.
        </li>
        <li>
          You are responsible for the assistants you build and share, and for what their prompts ask
          a model to do.
        </li>
        <li>
          With your own OpenAI key, the provider bills your key for your chats; the provider&apos;s
          own terms apply to that use.
        </li>
        <li>
          Spend caps and rate limits may stop a request; the portal tells you which and for how
          long.
        </li>
      </ul>
    </article>
  );
}
