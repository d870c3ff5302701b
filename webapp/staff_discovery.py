"""(being written)"""

from flask import Blueprint

bp = Blueprint("discovery", __name__, url_prefix="/staff/codebooks")
