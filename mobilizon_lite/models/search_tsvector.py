"""The search index on PostgreSQL: a tsvector column of the table itself, kept by a trigger and read by a GIN
index, and the tsquery of typed words.

The words are unaccented (the unaccent extension) and read with the `simple` configuration: no stemming and
no stop words, so French and English text alike match as typed, as SQLite's FTS5 tokenizer does. Each
column's words carry the weight of its rank (A: title, B: tags, C: the rest), which ts_rank scales as
bm25's column weights do on SQLite.
"""
import re

from peewee import SQL, Column, NodeList, fn

from ..db import database

COLUMN = "search_vector"
# The runs of letters and digits within a typed word, as FTS5's tokenizer cuts them ("ciné-club": two).
TOKEN = re.compile(r"[^\W_]+")
LETTERS = "ABC"


def _letters(index):
    """{column: weight letter}: the heaviest columns A, the next B, the others C."""
    ranks = sorted({weight for _column, weight in index.columns}, reverse=True)
    return {column: LETTERS[min(ranks.index(weight), len(LETTERS) - 1)] for column, weight in index.columns}


def _document(index, row):
    """The SQL of row's weighted words (row: NEW in the trigger, the table's name in rebuild)."""
    return " || ".join(f"setweight(to_tsvector('simple', unaccent(COALESCE({row}.{column}, ''))), '{letter}')"
                       for column, letter in _letters(index).items())


def create(index):
    """index's column, the trigger that fills it on every insert and change of its columns, and its GIN index."""
    table, name = index.table, index.name
    columns = [column for column, _weight in index.columns]
    database.execute_sql("CREATE EXTENSION IF NOT EXISTS unaccent")
    database.execute_sql(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {COLUMN} tsvector")
    database.execute_sql(f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                         f"NEW.{COLUMN} := {_document(index, 'NEW')}; RETURN NEW; END $$")
    # Only a change of the indexed columns: actors' rows change on every fetch, events' on every edit.
    changed = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in columns)
    database.execute_sql(f"DROP TRIGGER IF EXISTS {name}_update ON {table}")
    database.execute_sql(f"CREATE TRIGGER {name}_update BEFORE UPDATE OF {', '.join(columns)} ON {table} "
                         f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {name}()")
    database.execute_sql(f"DROP TRIGGER IF EXISTS {name}_insert ON {table}")
    database.execute_sql(f"CREATE TRIGGER {name}_insert BEFORE INSERT ON {table} "
                         f"FOR EACH ROW EXECUTE FUNCTION {name}()")
    database.execute_sql(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING GIN ({COLUMN})")


def clear(_index):
    """Nothing to forget: write() replaces each row's words."""


def write(index, first, last):
    """Write again the words of the rows of ids first to last."""
    database.execute_sql(f"UPDATE {index.table} SET {COLUMN} = {_document(index, index.table)} "
                         f"WHERE id BETWEEN %s AND %s", (first, last))


def size_bytes(indexes):
    """The bytes of the GIN indexes and of the words stored in the rows."""
    total = 0
    for index in indexes:
        total += database.execute_sql(
            f"SELECT pg_relation_size(%s) + COALESCE(SUM(pg_column_size({COLUMN})), 0) FROM {index.table}",
            (index.name,)).fetchone()[0]
    return int(total)


def match_text(words):
    """tsquery text of words, unaccented by the database as the rows' words are (see tsquery)."""
    # Before the quoting: unaccent writes some letters as quotes or operators ("ʼ" as "'", "ː" as ":").
    folded = database.execute_sql("SELECT unaccent(%s)", (" ".join(words),)).fetchone()[0]
    return tsquery(folded.split())


def tsquery(words):
    """tsquery text of words: each word's runs of letters and digits quoted, in a row (<->), the last one a
    prefix (:*); every word must match. Only letters and digits remain: no input is read as tsquery syntax."""
    phrases = []
    for word in words:
        tokens = TOKEN.findall(word)
        if tokens:
            phrases.append("(" + " <-> ".join(f"'{token}'" for token in tokens) + ":*)")
    return " & ".join(phrases) or None


def _weights(index):
    """ts_rank's weights of D, C, B, A: each rank's heaviest column weight over the title's."""
    ranks = sorted({weight for _column, weight in index.columns}, reverse=True)[:len(LETTERS)]
    scaled = [weight / ranks[0] for weight in ranks] + [ranks[-1] / ranks[0]] * (len(LETTERS) - len(ranks))
    return "'{" + ",".join(str(value) for value in [scaled[-1], *reversed(scaled)]) + "}'::float4[]"


def narrowed(index, query, text):
    """query narrowed to its rows whose words match text, and minus their ts_rank (lower for better matches).
    The condition is on the rows themselves: the planner weighs the GIN index against the other conditions."""
    vector = Column(index.model, COLUMN)
    words = fn.to_tsquery(SQL("'simple'"), text)
    return query.where(NodeList((vector, SQL("@@"), words))), fn.ts_rank(SQL(_weights(index)), vector, words) * -1
