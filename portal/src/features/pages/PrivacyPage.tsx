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
          the platform uses it for that request&apos;s model calls and does not store it. Between
          its services it travels only as a short-lived reference, never as the key.
        </li>
        <li>
          <strong>Your messages</strong>, recaps, files (their contents, names and checksums) and
          streamed replies are encrypted with a key of your own. With your own OpenAI key, that key
          is locked by your OpenAI key, so nothing the platform keeps can read them: not its
          database, its workflow engine, its object storage, its cache, its logs or its operators.
          Only while a request of yours runs do its services hold your key, for that request. If you
          sign in through your organisation (single sign-on) or use a platform API key, your key is
          locked by the platform&apos;s master key instead: its operators could read your history.
        </li>
        <li>
          <strong>Your assistants&apos; prompts</strong> are encrypted too, with the platform&apos;s
          prompt key: only you see them, and the platform uses them to answer in your
          assistants&apos; chats. Its operators hold that key.
        </li>
        <li>
          <strong>Changing your OpenAI key</strong> (on your Usage page) gives you a new key of your
          own and re-encrypts your whole history with it in the background, then deletes the
          workflow records made with the old one. Once that is done, your old OpenAI key opens
          nothing the platform keeps; only its database backups from before the change, until they
          expire.
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
