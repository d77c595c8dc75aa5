// Told to the owner of an account that was deleted, by themselves or by an admin.
import { composeMail, greeting, type OutgoingMail } from '../render.js';

export function accountDeletedMail(opts: { to: string; firstName: string; byAdmin: boolean }): OutgoingMail {
  return composeMail({
    to: opts.to,
    kind: 'account-deleted',
    subject: 'Your Maths Society account was deleted',
    blocks: [
      greeting(opts.firstName),
      opts.byAdmin
        ? 'A teacher who runs the Maths Society has deleted your account, with your answers and points.'
        : 'Your Maths Society account has been deleted, as you asked, with your answers and points.',
      opts.byAdmin
        ? 'If you think this is a mistake, talk to a teacher who runs the society.'
        : 'If you did not delete it, tell a teacher who runs the society.',
      { note: 'This is the last email the society sends about this account.' },
    ],
  });
}
