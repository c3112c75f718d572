import { PageTitle } from '../../app/Layout';

export default function PrivacyPage() {
  return (
    <article className="prose">
      <PageTitle>Privacy</PageTitle>
      <p>What the platform does with your data, in short:</p>
      <ul>
        <li>
          <strong>No profile.</strong> The platform stores no name, e-mail or other personal
          details: you are a user id with counters (sessions started and ended, assistants created)
          and usage (tokens and cost, for spend caps).
        </li>
        <li>
          <strong>Your key.</strong> With your own OpenAI key, you are known by a one-way hash of
          it. The key itself is kept in this browser tab&apos;s memory and sent with each request;
          the platform uses it for that request&apos;s model calls and does not store it.
        </li>
        <li>
          <strong>Your messages</strong>, recaps and files are encrypted at rest with a key of your
          own. With your own OpenAI key, that key is derived from your OpenAI key, so the platform
          at rest holds nothing that can read them.
        </li>
        <li>
          <strong>Ended sessions</strong> are archived, still encrypted, to the platform&apos;s
          object storage.
        </li>
        <li>
          <strong>The lab&apos;s test chats</strong> are never stored.
        </li>
        <li>
          <strong>Events and logs</strong> carry ids, counts and usage, never the text of a message.
        </li>
        <li>
          <strong>The model provider</strong> receives the messages of your chats to answer them,
          under its own terms.
        </li>
        <li>
          <strong>In the browser</strong> the portal saves only your unfinished lab draft, in this
          tab&apos;s session storage, until you close the tab. No cookies, no trackers.
        </li>
      </ul>
    </article>
  );
}
