"""Small, pure encodings of keys shared by several domains (age, signed notes, JOSE)."""
