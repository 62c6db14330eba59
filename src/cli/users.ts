import { UserRole } from '../../schemas/user.js';
import { UserInputError } from '../store/users-store.js';
import { type Cli, parseCommandLine, UsageError } from './cli.js';
import { withStore } from './with-store.js';

export const USERS_HELP = `imr users add NAME --role reviewer|analyst
imr users list [--json]
imr users remove NAME

The people of the web server, each with a token of their own. Once any user exists, every page and API
call needs one (on 127.0.0.1 too) and corrections and audit rows carry the signed-in name; without users a
loopback server is open to whoever runs it, as before (IMR_TOKEN for other addresses).

  add NAME       adds a user and prints their token, once: only its hash is stored. Browsers sign in at
                 /signin with it, API callers send "Authorization: Bearer <token>". A removed user's
                 name can be added again (the same person: a new token).
                 --role reviewer   reads everything, corrects, approves and rejects
                 --role analyst    reads (dashboard, API, reports, review pages), changes nothing
  list           users, their roles, when added, and whether removed
  remove NAME    the token stops working at once, and so do the user's browser sessions; their name
                 stays in the audit trail

Options:
  --role ROLE     reviewer or analyst (add)
  --json          list as JSON
  -h, --help      this help

The database is DATABASE_URL (default data/imr.sqlite).`;

export async function runUsers(argv: string[], cli: Cli): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, USERS_HELP, {
    role: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    cli.stdout.write(`${USERS_HELP}\n`);
    return 0;
  }
  const [action, ...rest] = positionals;
  if (action === 'add') {
    if (rest.length !== 1)
      throw new UsageError('users add takes one NAME (quote a name with spaces)', USERS_HELP);
    const role = UserRole.safeParse(values.role);
    if (!role.success) throw new UsageError('give --role reviewer or --role analyst', USERS_HELP);
    const name = rest[0] as string;
    return withStore(cli, async (store) => {
      try {
        const { user, token } = await store.users.add({ name, role: role.data });
        cli.stderr.write(`imr users: added ${user.name} (${user.role}); their token, shown this once:\n`);
        cli.stdout.write(`${token}\n`);
        return 0;
      } catch (err) {
        if (!(err instanceof UserInputError)) throw err;
        cli.stderr.write(`imr users: ${err.message}\n`);
        return 1;
      }
    });
  }
  if (action === 'list') {
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`, USERS_HELP);
    const users = await withStore(cli, (store) => store.users.list());
    if (values.json) {
      cli.stdout.write(`${JSON.stringify(users)}\n`);
      return 0;
    }
    if (users.length === 0) {
      cli.stdout.write('no users: a loopback server is open to whoever runs it (see imr users --help)\n');
      return 0;
    }
    const width = Math.max(4, ...users.map((u) => u.name.length));
    cli.stdout.write(`${'name'.padEnd(width)}  role      added                     removed\n`);
    for (const u of users) {
      cli.stdout.write(
        `${u.name.padEnd(width)}  ${u.role.padEnd(8)}  ${u.createdAt.padEnd(24)}  ${u.removedAt ?? ''}\n`,
      );
    }
    return 0;
  }
  if (action === 'remove') {
    if (rest.length !== 1) throw new UsageError('users remove takes one NAME', USERS_HELP);
    const name = rest[0] as string;
    const removed = await withStore(cli, (store) => store.users.remove(name));
    if (!removed) {
      cli.stderr.write(`imr users: no active user "${name}"\n`);
      return 1;
    }
    cli.stderr.write(`imr users: removed ${name}; their token and sessions no longer work\n`);
    return 0;
  }
  throw new UsageError('give add NAME --role ROLE, list or remove NAME', USERS_HELP);
}
