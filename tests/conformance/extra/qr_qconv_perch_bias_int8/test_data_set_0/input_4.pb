BwsJNo=≥?=‡î
=Pu¡<