-- A client holds several secrets while one is rotated out (AddUserPoolClientSecret,
-- DeleteUserPoolClientSecret). Each row is one sealed secret; `initial` marks the
-- one made with the client, which DescribeUserPoolClient shows and which stays
-- sealed under the client-only binding it had when it lived in `clients.secret`.
-- Ids are Cognito's `<client-id>--<epoch-create-time>`, in milliseconds.
CREATE TABLE client_secrets (
    client TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    sealed BLOB NOT NULL,
    created INTEGER NOT NULL,
    initial INTEGER NOT NULL,
    PRIMARY KEY (client, id)
);

INSERT INTO client_secrets (client, id, sealed, created, initial)
SELECT id, id || '--' || created, secret, created, 1 FROM clients WHERE secret IS NOT NULL;

ALTER TABLE clients DROP COLUMN secret;
