#!/bin/sh
# Runs once, when the postgres service's data volume is first made (docker-entrypoint-initdb.d), as the
# superuser: the store's owner `imr` is no superuser, and the analyst roles (migration 8 finds them and
# grants on the views) get the login's password, which `imr` could not set. Untested here: no Docker.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v imr_password="$IMR_DB_PASSWORD" -v analyst_password="$IMR_ANALYST_PASSWORD" <<'SQL'
create role imr login password :'imr_password';
create database imr owner imr;
create role imr_analyst nologin noinherit;
create role imr_analyst_login login noinherit password :'analyst_password' in role imr_analyst;
SQL
