-- Version 3: a covering index for reading commit facts by time without the
-- messages, which make up most of the `commits` pages. Behavioural analyses read
-- every commit of a window through it.
CREATE INDEX commits_activity ON commits (author_time, id, author_email, author_name, author_offset, author_is_bot, mainline);
