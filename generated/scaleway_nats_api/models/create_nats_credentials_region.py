from enum import Enum


class CreateNatsCredentialsRegion(str, Enum):
    FR_PAR = "fr-par"
    NL_AMS = "nl-ams"

    def __str__(self) -> str:
        return str(self.value)
