import { Link } from 'react-router';
import { PageTitle } from '../../app/Layout';

export default function NotFoundPage() {
  return (
    <section>
      <PageTitle>Page not found</PageTitle>
      <p>There is no page at this address.</p>
      <p>
        <Link to="/">Go to the home page</Link> or <Link to="/lounge">visit the lounge</Link>.
      </p>
    </section>
  );
}
