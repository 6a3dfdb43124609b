"""sadtui's panels (FAQ, About) and screens (help)."""
