"""Texts that exercise the text encoders: scripts, decorations, zero-width characters."""

TEXTS = [
    "Tehreek-e-Taliban Pakistan",
    "تحریک طالبان پاکستان",
    "𝐓𝐓𝐏 𝐌𝐞𝐝𝐢𝐚 🔴",
    "Official channel. New account, old one suspended. t.me/umarmedia_2",
    "Mustafa aI lraqi",
    "  tabs\tand\u200bzero width  ",
]
