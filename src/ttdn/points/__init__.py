"""Information points at a border site: screens (and later kiosks, loudspeakers) paired with the site's node,
fed playlists of what the node may show, with normal / priority / emergency bulletins and proof of play."""
