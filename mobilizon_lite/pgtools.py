"""PostgreSQL seen from outside the app: libpq's connection settings from a DATABASE_URL, a plain
connection, and the questions backups and the move to PostgreSQL ask of a database."""
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

# The query parameters libpq itself takes in a URL; others (the pool's) are the app's own.
LIBPQ_PARAMETERS = {"host", "hostaddr", "port", "dbname", "user", "password", "passfile", "connect_timeout",
                    "options", "application_name", "sslmode", "sslcert", "sslkey", "sslrootcert", "sslcrl",
                    "sslpassword", "target_session_attrs", "service", "gssencmode", "channel_binding"}


def _parts(url):
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key in LIBPQ_PARAMETERS]
    return parts, query


def libpq_uri(url):
    """url as libpq reads it: the password left out (it goes through the environment, not the process
    list) and the app's own parameters dropped."""
    parts, query = _parts(url)
    netloc = parts.netloc.rpartition("@")
    user = netloc[0].partition(":")[0]
    host = (user + "@" if user else "") + netloc[2]
    query = [(key, value) for key, value in query if key != "password"]
    return urlunsplit(("postgresql", host, parts.path, urlencode(query), ""))


def libpq_environment(url):
    """The environment giving url's password to libpq's programs (pg_dump, pg_restore)."""
    parts, query = _parts(url)
    password = unquote(parts.password) if parts.password else dict(query).get("password")
    return {"PGPASSWORD": password} if password else {}


def name(url):
    """The database's name in url."""
    return unquote(urlsplit(url).path.lstrip("/")) or dict(_parts(url)[1]).get("dbname", "")


def connect(url):
    """A psycopg2 connection to url in autocommit mode (each statement its own transaction); use it
    in a with block to close it."""
    import psycopg2

    password = libpq_environment(url).get("PGPASSWORD")
    connection = psycopg2.connect(libpq_uri(url), **({"password": password} if password else {}))
    connection.autocommit = True
    return _Closing(connection)


class _Closing:
    """psycopg2's connection as a context manager that closes it (its own only ends a transaction)."""

    def __init__(self, connection):
        self.connection = connection

    def __enter__(self):
        return self.connection

    def __exit__(self, *_exc):
        self.connection.close()


def _all(connection, sql, parameters=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchall()


def table_names(connection, schema="public"):
    """The names of the tables of a schema."""
    return [row[0] for row in _all(connection, "SELECT table_name FROM information_schema.tables "
                                               "WHERE table_schema = %s AND table_type = 'BASE TABLE'", (schema,))]


def table_bytes(connection):
    """What the tables of the schema "public" take on disk, without their indexes."""
    return _all(connection, "SELECT coalesce(sum(pg_table_size(c.oid)), 0) FROM pg_class c "
                            "JOIN pg_namespace n ON n.oid = c.relnamespace "
                            "WHERE n.nspname = 'public' AND c.relkind = 'r'")[0][0]


def other_sessions(connection):
    """How many other sessions are connected to this connection's database."""
    return _all(connection, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND pid <> pg_backend_pid()")[0][0]


def _extensions(connection, schema):
    return [row[0] for row in _all(connection, "SELECT e.extname FROM pg_extension e JOIN pg_namespace n "
                                               "ON n.oid = e.extnamespace WHERE n.nspname = %s", (schema,))]


def move_schema_aside(connection, aside):
    """Rename the schema "public" to aside and start a new, empty one in one transaction; the extensions
    (unaccent) move to the new one, which the restored tables use."""
    with connection:  # one transaction, though the connection autocommits otherwise
        extensions = _extensions(connection, "public")
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER SCHEMA public RENAME TO "{aside}"')
            cursor.execute("CREATE SCHEMA public")
            for extension in extensions:
                cursor.execute(f'ALTER EXTENSION "{extension}" SET SCHEMA public')


def drop_public(connection):
    """Drop the schema "public" with all it holds but its extensions, which stay in a new empty one."""
    with connection:
        extensions = _extensions(connection, "public")
        with connection.cursor() as cursor:
            cursor.execute('CREATE SCHEMA IF NOT EXISTS "public_extensions"')
            for extension in extensions:
                cursor.execute(f'ALTER EXTENSION "{extension}" SET SCHEMA public_extensions')
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("ALTER SCHEMA public_extensions RENAME TO public")


def bring_schema_back(connection, aside):
    """Undo move_schema_aside: the schema aside becomes "public" again, with the extensions."""
    with connection:
        extensions = _extensions(connection, "public")
        with connection.cursor() as cursor:
            for extension in extensions:
                cursor.execute(f'ALTER EXTENSION "{extension}" SET SCHEMA "{aside}"')
            cursor.execute("DROP SCHEMA public")
            cursor.execute(f'ALTER SCHEMA "{aside}" RENAME TO public')

