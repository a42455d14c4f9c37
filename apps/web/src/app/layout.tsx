// The document around every page: styles, and the API/query providers. Rendered per request,
// never prebuilt: each page's scripts carry that request's CSP nonce (src/proxy.ts).

import type { Metadata } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { TRPCReactProvider } from '~/trpc/react';
import './globals.css';

export const metadata: Metadata = {
  title: 'Weft',
  description: 'Weft service mesh console',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body>
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </body>
    </html>
  );
}
