-- herold_fold folds letter case for the cockpit's search by name or
-- address. lower() alone follows the database's LC_CTYPE, which is often
-- "C" and then folds only ASCII ("MÜLLER" → "mÜller"); translate() folds
-- the uppercase letters of the Latin-1 and Latin Extended-A languages
-- first, so the search behaves the same under any locale.

-- +goose Up
CREATE FUNCTION herold_fold(s text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(translate(s,
  'ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞŸŒŠŽĀĂĄĆČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŔŘŚŞŢŤŪŮŰŲŹŻẞ',
  'àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿœšžāăąćčďđēėęěğģīįiķĺļľłńņňōőŕřśşţťūůűųźżß')) $$;

-- +goose Down
DROP FUNCTION herold_fold(text);
