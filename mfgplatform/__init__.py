"""mfgplatform: the shared layer of the ISO 22400 / ISO 9001 / ISO 14224 manufacturing analytics."""
