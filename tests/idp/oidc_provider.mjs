// A certified OpenID provider (the npm package oidc-provider) for the single sign-on tests.
// Everything comes from the environment the test sets: the port, one confidential client
// and the test people (account id → e-mail and name). Sign-in uses the package's own
// development interactions (a login form and a consent page), which accept any password.
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT);
const people = JSON.parse(process.env.OIDC_PEOPLE);

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: process.env.OIDC_CLIENT_ID,
      client_secret: process.env.OIDC_CLIENT_SECRET,
      redirect_uris: [process.env.OIDC_REDIRECT_URI],
      response_types: ["code"],
      grant_types: ["authorization_code"],
    },
  ],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  async findAccount(_ctx, id) {
    const person = people[id];
    if (!person) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: person.email, email_verified: true, name: person.name };
      },
    };
  },
  cookies: { keys: ["samtal-test-cookie-key"] },
  features: { devInteractions: { enabled: true } },
});

provider.listen(port, "127.0.0.1", () => {
  console.log(`oidc-provider listening on ${port}`);
});
