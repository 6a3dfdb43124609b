"""sadtui's widgets: the song list, the details pane, the filter bar, the now-playing bar."""
