'use client';
// Users (admins): create one, change a role, disable and enable; the same audited calls as
// `weft user`.

import { useQuery } from '@tanstack/react-query';
import { CreateUserForm } from '~/components/admin/create-user-form';
import { UserRow } from '~/components/admin/user-row';
import { PageHeader } from '~/components/page-header';
import { QueryView } from '~/components/query-view';
import { useSession } from '~/components/shell/session';
import { useTRPC } from '~/trpc/react';

export default function UsersPage() {
  const trpc = useTRPC();
  const me = useSession();
  const users = useQuery(trpc.users.list.queryOptions());
  const all = users.data ?? [];
  const disabled = all.filter((u) => u.disabledAt !== null).length;
  return (
    <>
      <PageHeader
        title="Users"
        subtitle={`${all.length} users · ${disabled} disabled · a viewer reads, an operator also changes the mesh, an admin also manages access`}
      />
      <CreateUserForm />
      <QueryView query={users} what="users" isEmpty={(data) => data.length === 0}>
        {(data) => (
          <div className="table-wrap">
            <table data-testid="users">
              <thead>
                <tr>
                  <th>User</th>
                  <th>Role</th>
                  <th>Created</th>
                  <th>State</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {data.map((user) => (
                  <UserRow key={user.id} user={user} self={user.username === me.username} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </>
  );
}
