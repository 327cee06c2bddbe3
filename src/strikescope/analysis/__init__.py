"""Analysis over the store's nights: frames and result objects, no drawing."""
