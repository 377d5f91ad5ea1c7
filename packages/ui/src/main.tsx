import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from './api/client.ts';
import { QueryPage } from './pages/query-page.tsx';
import { TargetsPage } from './pages/targets-page.tsx';
import './styles.css';

function App() {
  const [version, setVersion] = useState('');
  useEffect(() => {
    api.buildInfo().then((r) => setVersion(r.data.version), () => {});
  }, []);
  const path = location.pathname;
  const page = path.startsWith('/targets') ? 'targets' : 'query';
  return (
    <>
      <header class="top">
        <a class="brand" href="/">
          <span class="mark" aria-hidden="true" />
          Vigil
        </a>
        <nav>
          <a href="/query" class={page === 'query' ? 'active' : ''}>
            Query
          </a>
          <a href="/targets" class={page === 'targets' ? 'active' : ''}>
            Targets
          </a>
        </nav>
        <span class="version" title="From /api/v1/status/buildinfo">
          {version && `v${version}`}
        </span>
      </header>
      <main>{page === 'targets' ? <TargetsPage /> : <QueryPage />}</main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
