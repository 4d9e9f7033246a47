"""Notices: telling people that work waits for them or that their work moved, in the app (a bell and a list)
and by e-mail after commit. Every app calls the one service `do_notify`; each app decides who hears what."""
