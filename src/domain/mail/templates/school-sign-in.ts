// Sent instead of a reset link when the account's school signs in with its own
// provider (ADR 036): a new password would not let the person in, so the email
// says how to sign in and carries no link that could change anything.
import { composeMail, greeting, type OutgoingMail } from '../render.js';

export function schoolSignInMail(opts: { to: string; firstName: string; providers: string }): OutgoingMail {
  return composeMail({
    to: opts.to,
    kind: 'school-sign-in',
    subject: 'How to sign in to the Maths Society',
    blocks: [
      greeting(opts.firstName),
      'Someone, hopefully you, asked to reset the password of your Maths Society account.',
      `Your school signs in with its ${opts.providers} account, not with a password, so there is no password to reset. On the Maths Society login page, use the “${opts.providers}” button and sign in as you do at school.`,
      'If you cannot sign in to your school account, ask your school’s IT staff: they look after it, not the Maths Society.',
      { note: 'If you did not ask for this, you can ignore this email: nothing about your account has changed.' },
    ],
  });
}
