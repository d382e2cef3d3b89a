-- The app may connect as floortwin_app itself (PgEventStore `appConnectionString`): a session whose session user is
-- the app role cannot leave it — SET ROLE NONE, RESET ROLE and SET SESSION AUTHORIZATION DEFAULT all land on the app
-- role again — whereas an owner's session that only switched to it (startup option `role`) gets the owner back with
-- SET ROLE NONE, and with it every table without RLS. Migrations still connect as the owner.
-- LOGIN alone lets nobody in: pg_hba decides how (trust on a developer's box, a password set by the operator).

-- Roles are cluster-wide: serialise with 013's lock.
SELECT pg_advisory_xact_lock(4713839153700013);

DO $$
BEGIN
  IF NOT (SELECT rolcanlogin FROM pg_roles WHERE rolname = 'floortwin_app') THEN
    BEGIN
      ALTER ROLE floortwin_app LOGIN;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'floortwin_app stays NOLOGIN (the migrating role may not alter it): the app connects as the owner and switches role';
    END;
  END IF;
END $$;
