"""photosort teach SOURCE: placeholder until the teach loop lands."""


def register(sub) -> None:
    pass
