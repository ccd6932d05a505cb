//! Mojibake: UTF-8 decoded as windows-1252 or latin-1 (not yet implemented).
